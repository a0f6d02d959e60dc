"""The registry workbook (登记簿): import, export, template, and the synthetic county generator."""
