"""Qt user interface of 档案室; calls services in ``app`` and holds no rules or SQL."""
