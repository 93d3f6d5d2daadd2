import os
import re

from setuptools import find_packages, setup

HERE = os.path.abspath(os.path.dirname(__file__))
with open(os.path.join(HERE, "azure", "keyvault", "administration", "_version.py"), encoding="utf-8") as f:
    VERSION = re.search(r'^VERSION = "([^"]+)"', f.read(), re.MULTILINE).group(1)  # type: ignore[union-attr]
with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
    LONG_DESCRIPTION = f.read()

setup(
    name="azure-keyvault-administration",
    version=VERSION,
    description="Microsoft Azure Key Vault Administration Client Library for Python (Managed HSM)",
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/markdown",
    license="MIT",
    classifiers=[
        "Development Status :: 4 - Beta",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    ],
    # `azure` and `azure.keyvault` are namespace packages shared with other azure-* distributions.
    packages=find_packages(
        exclude=["azure", "azure.keyvault", "tests*", "samples*", "emulator*", "scripts*", "benchmarks*"]
    ),
    package_data={"azure.keyvault.administration": ["py.typed"]},
    python_requires=">=3.10",
    install_requires=[
        "azure-core>=1.38.0",
        "msrest>=0.7.1",
        "isodate>=0.6.1",
        "typing-extensions>=4.6.0",
    ],
    zip_safe=False,
)
