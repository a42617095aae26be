"""Documents: letters, minutes and action plans as PDFs, and the register of issued documents."""
