namespace Drydock.TestSupport;

/// <summary>A test that needs root: skipped, with the reason, when the process is not root.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Privileges.NotRootReason is { } reason)
        {
            Skip = reason;
        }
    }
}
