"""For running gunicorn by hand: `gunicorn -c gunicorn.conf.py 'service:create_app()'`.

The settings live in service/gunicorn_conf.py, where `briefing serve` finds them too.
"""

from service.gunicorn_conf import *  # noqa: F403
