"""``python -m simulation.cli``: the same as the ``orgchange`` command."""

from simulation.cli import main

raise SystemExit(main())
