"""The registry workbook (登记簿): import, export and template (the synthetic county generator is `demo.synthetic`)."""
