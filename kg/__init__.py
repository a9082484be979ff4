"""kg: a linked-data publisher for university libraries.

The pipeline is one module per step: :mod:`kg.sources` reads records,
:mod:`kg.convert` turns them into quads, :mod:`kg.validate` checks them against
the SHACL shapes, :mod:`kg.store` publishes immutable releases and
:mod:`kg.build` runs the whole chain.
"""

__version__ = "0.1.0"
