from setuptools import find_packages, setup

setup(
    name="mhsm-emulator",
    version="0.1.0",
    description="Local Azure Key Vault Managed HSM emulator (administration data plane) for tests and samples",
    packages=find_packages(include=["mhsm_emulator", "mhsm_emulator.*"]),
    python_requires=">=3.10",
    install_requires=[
        "aiohttp>=3.9",
        "cryptography>=42",
        "pyjwt>=2.8",
        "azure-storage-blob>=12.20",
    ],
)
