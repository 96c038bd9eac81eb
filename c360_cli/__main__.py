import sys

from c360_cli import main

sys.exit(main())
