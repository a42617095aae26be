"""The restorative justice pathway of a case: referral, consent, preparation, conference, agreement, follow-up."""
