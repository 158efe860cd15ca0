"""The privacy wing (issue 18): the access record (:mod:`.access`), ARCO requests (export,
rectification, cancellation: :mod:`.arco`, :mod:`.export`), the retention purge
(:mod:`.purge`) and the privacy notice (:mod:`.notice`). docs/privacy.md explains them."""
