namespace Drydock.Sandbox;

/// <summary>The identity a RUN command executes as, already resolved to numbers.</summary>
/// <param name="SupplementaryGroups">Exactly the groups given to setgroups(2); the primary group is not implied.</param>
public sealed record RunUser(uint Uid, uint Gid, IReadOnlyList<uint> SupplementaryGroups)
{
    /// <summary>The home directory of the user's passwd entry, / when the user has none: the HOME a RUN gets when its environment sets none.</summary>
    public string Home { get; init; } = "/";

    /// <summary>uid 0, gid 0, no supplementary groups.</summary>
    public static RunUser Root { get; } = new(0, 0, []);
}
