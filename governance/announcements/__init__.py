# The kind of mail of the announcements (core/email_kinds.py): its recipients may stop it.
ANNOUNCEMENT_MAIL = "announcement"
