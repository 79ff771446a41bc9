"""Documents to digitize: uploads (pre-signed or multipart), the pipeline task per document,
the digitized feed, and the invoices made from what was read."""
