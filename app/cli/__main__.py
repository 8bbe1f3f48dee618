"""``python -m app.cli``: the command line without the GUI."""

import sys

from app.cli.main import main

sys.exit(main())
