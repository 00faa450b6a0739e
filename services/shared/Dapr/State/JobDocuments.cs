namespace WasmWizard.Shared.Dapr.State;

/// <summary>
/// One job of a tenant as <c>jobs:{tenantId}</c> lists it: only what ordering and the listing filters need, so
/// claiming and releasing a job never rewrite the tenant's index; the page's jobs are read for the rest.
/// </summary>
/// <param name="Id">The job (version 7, so its text orders it by creation).</param>
/// <param name="CreatedAt">When it was submitted.</param>
/// <param name="ModuleId">For the module filter.</param>
/// <param name="Outcome">For the outcome filter; null until the job has completed.</param>
internal sealed record JobIndexEntry(Guid Id, DateTimeOffset CreatedAt, Guid ModuleId, string? Outcome);

/// <summary>A tenant's jobs, newest first (<see cref="IdIndex.Order"/>), as stored at <c>jobs:{tenantId}</c>.</summary>
internal sealed record JobIndex(IReadOnlyList<JobIndexEntry> Entries)
{
    public static JobIndex Empty { get; } = new([]);

    public JobIndex With(JobIndexEntry entry)
    {
        var entries = Entries.Where(e => e.Id != entry.Id).Append(entry).ToList();
        entries.Sort((a, b) => IdIndex.Order.Compare(a.Id, b.Id));
        return new JobIndex(entries);
    }

    public JobIndex Without(IReadOnlySet<Guid> ids) => new(Entries.Where(e => !ids.Contains(e.Id)).ToList());
}

/// <summary>A completed job as <c>jobs-completed</c> lists it, for retention to find without a scan.</summary>
internal sealed record CompletedJobEntry(Guid Id, Guid TenantId, DateTimeOffset CompletedAt);

/// <summary>Every completed job still kept, oldest completion first, as stored at <c>jobs-completed</c>.</summary>
internal sealed record CompletedJobIndex(IReadOnlyList<CompletedJobEntry> Entries)
{
    public static CompletedJobIndex Empty { get; } = new([]);

    public CompletedJobIndex With(CompletedJobEntry entry) => new(Entries
        .Where(e => e.Id != entry.Id)
        .Append(entry)
        .OrderBy(e => e.CompletedAt)
        .ThenBy(e => e.Id)
        .ToList());

    public CompletedJobIndex Without(IReadOnlySet<Guid> ids) =>
        new(Entries.Where(e => !ids.Contains(e.Id)).ToList());
}

/// <summary>
/// Which job a tenant's idempotency key was first used for (<c>job-key:{tenantId}:{sha256 of the key}</c>).
/// Written in the same transaction as the job and removed with it, so it never points at nothing.
/// </summary>
internal sealed record JobKeyPointer(Guid JobId);
