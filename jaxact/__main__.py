import sys

from jaxact.cli import main

sys.exit(main())
