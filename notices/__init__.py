"""What goes out to people: messages rendered from templates, SMTP delivery, calendar invites,
and the holiday calendar that meetings are planned around. No database, no Temporal."""
