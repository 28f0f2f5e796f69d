namespace Drydock.TestSupport;

/// <summary>The theory form of <see cref="RootFactAttribute"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (Privileges.NotRootReason is { } reason)
        {
            Skip = reason;
        }
    }
}
