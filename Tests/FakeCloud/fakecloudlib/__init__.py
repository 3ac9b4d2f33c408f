"""The fake Alibaba Cloud used by rootwatchd's tests, benchmarks and demo.

One loopback HTTP server answers IMS (credential report), STS (AssumeRole, GetCallerIdentity) and
ActionTrail (LookupEvents) exactly as the real gateway would, verifying every request's signature
with the official ``alibabacloud-tea-openapi`` package. See ``Tests/FakeCloud/README.md``.
"""
