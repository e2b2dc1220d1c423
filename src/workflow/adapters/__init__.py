"""Storage and scheduling adapters: SQLModel tables, the database, the sweep job."""
