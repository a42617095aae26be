"""The threshold: each area's policy (versioned), the product's evaluation of a case, and the recorded decision."""
