namespace WasmWizard.Deployment.Tests.Infrastructure;

/// <summary>
/// Collects every problem a test finds, each naming its file and key, and fails once with all of them, so one run
/// shows everything that is wrong rather than the first thing.
/// </summary>
public sealed class Problems
{
    private readonly List<string> _items = [];

    /// <summary>Records a problem in <paramref name="where"/> (a file) at <paramref name="key"/> (a path).</summary>
    public void Add(string where, string key, string message) => _items.Add($"{where}: {key}: {message}");

    /// <summary>Records a problem in <paramref name="where"/> at <paramref name="key"/> unless <paramref name="ok"/>.</summary>
    public void Check(bool ok, string where, string key, string message)
    {
        if (!ok)
        {
            Add(where, key, message);
        }
    }

    /// <summary>Fails the test with every recorded problem, one a line.</summary>
    public void AssertNone()
    {
        Assert.True(_items.Count == 0, $"{_items.Count} problem(s):\n" + string.Join("\n", _items));
    }
}
