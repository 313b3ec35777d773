"""A small order-processing app: the showcase the examples' tests exercise.

Each module is one part of the app, written the way production code is, with
boto3 clients and no knowledge of tests; ``examples/tests`` prove it against
pytest-awsmsg.
"""
