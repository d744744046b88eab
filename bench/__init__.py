"""Load figures: the service against baselines served by the same gunicorn in the same run."""
