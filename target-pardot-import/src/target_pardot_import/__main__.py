"""`python -m target_pardot_import`: the same CLI as the `target-pardot-import` executable."""

from target_pardot_import.target import TargetPardotImport

TargetPardotImport.cli()
