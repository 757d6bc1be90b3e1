"""``python -m wagerkit``: the same as the ``wagerkit`` command."""

from wagerkit.cli import main

raise SystemExit(main())
