"""E-mail: each person's choice per kind of notification, the messages, the SMTP hand-over,
the daily digest and the signed unsubscribe links."""
