"""Signals accounts sends for higher layers to hear (the audit log records them)."""

from django.dispatch import Signal

# A superuser was made through the break-glass door (`manage.py createsuperuser --break-glass --reason …`):
# sent with ``user`` (the new account), ``reason`` and ``operator`` (the server account that ran the command).
break_glass_used = Signal()
