import os
import re

from setuptools import find_packages, setup

HERE = os.path.abspath(os.path.dirname(__file__))
with open(os.path.join(HERE, "mhsm_emulator", "__init__.py"), encoding="utf-8") as f:
    VERSION = re.search(r'^__version__ = "([^"]+)"', f.read(), re.MULTILINE).group(1)  # type: ignore[union-attr]
with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
    LONG_DESCRIPTION = f.read()

setup(
    name="mhsm-emulator",
    version=VERSION,
    description="Local Azure Key Vault Managed HSM emulator (administration data plane) for tests and samples",
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/markdown",
    author="azure-keyvault-administration clone contributors",
    url="https://learn.microsoft.com/azure/key-vault/managed-hsm/overview",
    project_urls={
        "Emulated service": "https://learn.microsoft.com/azure/key-vault/managed-hsm/overview",
        "REST API": "https://learn.microsoft.com/rest/api/keyvault/",
        "Azurite": "https://github.com/Azure/Azurite",
    },
    license="MIT",
    license_files=["LICENSE"],
    keywords=["azure", "key vault", "managed hsm", "emulator", "testing", "azurite"],
    classifiers=[
        "Development Status :: 4 - Beta",
        "Environment :: Console",
        "Framework :: AsyncIO",
        "Framework :: Pytest",
        "Intended Audience :: Developers",
        "Operating System :: POSIX",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Topic :: Software Development :: Testing",
        "Topic :: Software Development :: Testing :: Mocking",
        "Typing :: Typed",
    ],
    packages=find_packages(include=["mhsm_emulator", "mhsm_emulator.*"]),
    # py.typed: users' own tests type-check against the emulator; the .js file is Azurite's parent watcher.
    package_data={"mhsm_emulator": ["py.typed", "_azurite_watch.js"]},
    python_requires=">=3.10",
    install_requires=[
        "aiohttp>=3.9",
        "azure-core>=1.30",
        "azure-storage-blob>=12.20",
        "cryptography>=42",
        "pyjwt>=2.8",
    ],
    # pytest11: the fixtures managed_hsm, managed_hsm_env and blob_container in every pytest run of the environment.
    extras_require={"pytest": ["pytest>=7"]},
    entry_points={
        "console_scripts": ["mhsm-emulator = mhsm_emulator.__main__:main"],
        "pytest11": ["mhsm_emulator = mhsm_emulator.pytest_plugin"],
    },
    zip_safe=False,
)
