"""The interactions app stores nothing of its own: interactions live in CxEngage,
reviews and the audit log (which also answers "recently viewed") in ``reviews``."""
