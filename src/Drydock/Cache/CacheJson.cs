using System.Text.Json.Serialization;

namespace Drydock.Cache;

/// <summary>Source-generated JSON for what the cache stores beside OCI's documents.</summary>
[JsonSerializable(typeof(string[][]))]
internal sealed partial class CacheJson : JsonSerializerContext;
