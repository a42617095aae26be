"""The risk and vulnerability assessment: the questionnaire (administrators) and assessing a case (coordinators)."""
