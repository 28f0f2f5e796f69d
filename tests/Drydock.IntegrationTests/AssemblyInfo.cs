// The integration tests drive Linux tools (docker-registry, skopeo, umoci) and Linux file modes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
