"""``python -m app.cli``: the command line without the GUI."""

import sys

from app.cli.main import main
from app.storage.engine import enable_memory_security

if sys.argv[1:2] != ["demo"]:
    enable_memory_security()  # as ui.launch.harden: SQLCipher wipes freed memory
sys.exit(main())
