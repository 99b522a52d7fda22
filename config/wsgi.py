import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Production refuses to start while an active superuser exists (three administrators).
from pingan.accounts.checks import refuse_to_start_with_errors  # noqa: E402

refuse_to_start_with_errors()
