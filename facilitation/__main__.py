import sys

from facilitation.cli import main

sys.exit(main())
