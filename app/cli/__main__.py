"""``python -m app.cli``: the command line without the GUI."""

import sys

from app.cli.main import main
from app.security.process import protect_memory

if sys.argv[1:2] != ["demo"]:
    protect_memory()  # as ui.launch.harden
sys.exit(main())
