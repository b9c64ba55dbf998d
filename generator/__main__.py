"""`python -m generator` is the same as the `dailypapers` command."""

from generator.cli import main

raise SystemExit(main())
