"""The foundation every other package of the project may import, and which imports none of them:
the dbt project's vocabularies and vars (`project`), where the files live (`paths`), the
raw-extract contract (`datasets`), the warehouse record (`record`) and how a command declares and
parses its options (`command`)."""
