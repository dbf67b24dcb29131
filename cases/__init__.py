"""The case kit: what disputes, petitions and the coming incidents share."""
