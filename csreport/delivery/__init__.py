"""E-mailing finished reports to their readers (``csreport deliver``).

``config`` reads ``params/delivery.yml`` (who gets which report), ``brief`` reads a finished run folder into the
message body's content, ``message`` builds the e-mail, ``smtp`` sends it, ``journal`` is the delivery log that makes
delivery idempotent, and ``deliver`` plans and runs a delivery.
"""
