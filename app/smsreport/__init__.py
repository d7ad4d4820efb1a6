"""Reports by plain SMS: the USSD question graph, asked one SMS at a time.

Anyone who is not a responder can text the shortcode in Swahili or English and is led through
the same questions as the USSD menu (``app.ussd.menu``), answering by number or in words. The
conversation is a row (``models.SmsReport``) so it survives hours of silence and restarts; the
case it ends with follows the same referral path as a USSD report.
"""
