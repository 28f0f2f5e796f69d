namespace Drydock.Building.Caching;

/// <summary>
/// Where a stage's chain of cache keys stands: the base it started from, the key the next step
/// builds on, and whether the step before missed (then every later step misses too, and saying
/// so is the whole explanation).
/// </summary>
internal sealed class KeyChain(string baseIdentity)
{
    public string Base { get; } = baseIdentity;

    /// <summary>The key of the last step that changed files, or the base.</summary>
    public string Parent { get; private set; } = baseIdentity;

    /// <summary>The step before missed (ran), so this one's entry could not have been stored yet.</summary>
    public bool AfterMiss { get; private set; }

    public void Advance(string key, bool hit)
    {
        Parent = key;
        AfterMiss = !hit;
    }

    /// <summary>After a step that could not be keyed and ran: the next key builds on what it made (its layer's diffID).</summary>
    public void AdvanceByResult(string instruction, Oci.Digest? diffId)
    {
        Parent = new Cache.CacheKey([new(Cache.CacheKey.ParentPart, Parent), new(Cache.CacheKey.InstructionPart, instruction), new("made", diffId?.ToString() ?? "nothing")]).Digest.ToString();
        AfterMiss = true;
    }
}
