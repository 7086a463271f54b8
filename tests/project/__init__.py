"""The project as a whole: its layout, its docs, its workflows."""
