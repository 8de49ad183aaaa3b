"""xshell.schema"""
