"""xshell.lang"""
