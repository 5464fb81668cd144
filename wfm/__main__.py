"""Allow ``python -m wfm`` (used by subprocess tests and cron wrappers)."""

from wfm.cli.main import main

main()
