"""The passive cycle: invoices SDI delivers to our companies (RicezioneFatture), read and answered."""
