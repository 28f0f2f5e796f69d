namespace Drydock.IntegrationTests.Fixtures;

/// <summary>The registry over plain HTTP, one per test run (use with <c>[Collection(RegistryCollections.Http)]</c>).</summary>
public sealed class HttpRegistry() : RegistryServer(RegistryMode.Http);

/// <summary>The registry over HTTPS with the fixture's CA, one per test run.</summary>
public sealed class TlsRegistry() : RegistryServer(RegistryMode.Tls);

/// <summary>The registry over HTTPS with htpasswd Basic auth, one per test run.</summary>
public sealed class AuthRegistry() : RegistryServer(RegistryMode.TlsWithBasicAuth);

/// <summary>The registry over HTTPS demanding a client certificate (mutual TLS), one per test run.</summary>
public sealed class MutualTlsRegistry() : RegistryServer(RegistryMode.MutualTls);

/// <summary>The registry with distribution's token auth and the fixture's token service, one per test run.</summary>
public sealed class TokenAuthRegistry() : RegistryServer(RegistryMode.TokenAuth);

/// <summary>
/// Collection names that share one registry server per mode across the test classes of a run.
/// A class joins with <c>[Collection(RegistryCollections.Http)]</c> and takes the server
/// (<see cref="HttpRegistry"/>, <see cref="TlsRegistry"/>, <see cref="AuthRegistry"/>) in its constructor.
/// </summary>
public static class RegistryCollections
{
    public const string Http = "registry-http";
    public const string Tls = "registry-tls";
    public const string Auth = "registry-auth";
    public const string MutualTls = "registry-mtls";
    public const string TokenAuth = "registry-token";
}

[CollectionDefinition(RegistryCollections.Http)]
public sealed class HttpRegistryCollection : ICollectionFixture<HttpRegistry>;

[CollectionDefinition(RegistryCollections.Tls)]
public sealed class TlsRegistryCollection : ICollectionFixture<TlsRegistry>;

[CollectionDefinition(RegistryCollections.Auth)]
public sealed class AuthRegistryCollection : ICollectionFixture<AuthRegistry>;

[CollectionDefinition(RegistryCollections.MutualTls)]
public sealed class MutualTlsRegistryCollection : ICollectionFixture<MutualTlsRegistry>;

[CollectionDefinition(RegistryCollections.TokenAuth)]
public sealed class TokenAuthRegistryCollection : ICollectionFixture<TokenAuthRegistry>;
