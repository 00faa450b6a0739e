using WasmWizard.Audit.Storage;
using WasmWizard.Audit.Tests.Infrastructure;
using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;
using static WasmWizard.Audit.Tests.Infrastructure.Events;

namespace WasmWizard.Audit.Tests.Contracts;

/// <summary>
/// What every <see cref="IAuditEventStore"/> must do. Each test runs once per implementation (a subclass names it),
/// on an empty trail of its own. This part: appending, reading and querying.
/// </summary>
public abstract partial class AuditStoreContract(Func<Task<AuditBackend>> start) : IAsyncLifetime
{
    /// <summary>Values that would widen a query if any store pasted them into its SQL.</summary>
    public static TheoryData<string> Injections { get; } =
    [
        "' OR 1=1 --",
        "' OR '1'='1",
        "x'; DROP TABLE audit_log; --",
        "\"; DELETE FROM audit_log; --",
        "%",
        "_",
        "*",
        "\\",
        "') OR ('a'='a",
        "1 UNION SELECT * FROM audit_chains --",
    ];

    /// <summary>The backend under test.</summary>
    protected AuditBackend Backend { get; private set; } = null!;

    /// <summary>Its store.</summary>
    protected IAuditEventStore Store => Backend.Store;

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => Backend = await start();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Backend.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Append_EveryField_ReadBackAsNormalised()
    {
        var tenant = Guid.CreateVersion7();
        var sent = New(tenant, details: new Dictionary<string, string> { ["z"] = "last", ["a"] = "first", ["nul"] = "a\0b" }) with
        {
            // A local offset and a tick below the microsecond: kept as UTC, cut to the microsecond.
            OccurredAt = new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.FromHours(2)).AddTicks(12_345_678),
            Actor = "key:ä😀",
        };

        Assert.True(await Store.AppendAsync(sent, Token));
        var kept = Assert.Single(await Store.ListAsync(10, Token));

        Assert.Equal(TimeSpan.Zero, kept.OccurredAt.Offset);
        Assert.Equal(sent.OccurredAt.UtcTicks - 8, kept.OccurredAt.UtcTicks);
        Assert.Equal("a\uFFFDb", kept.Details["nul"]);
        AssertSame(AuditChain.Normalize(sent), kept);
        Assert.True((await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token)).Intact);
    }

    [Fact]
    public async Task Append_NoTenantAndNoOptionalFields_RoundTrips()
    {
        var sent = new AuditEvent(
            Guid.NewGuid(), AuditEventTypes.AuthenticationFailed, Epoch, null, null, null, null, null, null, null,
            new Dictionary<string, string>());

        Assert.True(await Store.AppendAsync(sent, Token));

        AssertSame(sent, Assert.Single(await Store.ListAsync(10, Token)));
    }

    [Fact]
    public async Task Append_SameIdTwice_KeptOnce()
    {
        var sent = New(Guid.CreateVersion7());

        var first = await Store.AppendAsync(sent, Token);
        var second = await Store.AppendAsync(sent with { Type = AuditEventTypes.KeyRevoked }, Token);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal(AuditEventTypes.KeyCreated, Assert.Single(await Store.ListAsync(10, Token)).Type);
    }

    [Fact]
    public async Task Append_ConcurrentDuplicatesThroughTwoInstances_KeptOnce()
    {
        var replica = await Backend.ReplicaAsync();
        var tenant = Guid.CreateVersion7();
        await Store.AppendAsync(New(tenant), Token);
        var sent = New(tenant);

        var results = await Task.WhenAll(Enumerable.Range(0, 24).Select(i =>
            Task.Run(() => (i % 2 == 0 ? Store : replica).AppendAsync(sent, Token), Token)));

        Assert.Equal(1, results.Count(added => added));
        Assert.Equal(2, (await Store.ListAsync(10, Token)).Count);
        var report = await Store.VerifyAsync(AuditChainScope.All, Token);
        Assert.True(report.Intact, string.Join(", ", report.Breaks));
        Assert.Equal(2, report.EventsChecked);
    }

    [Fact]
    public async Task Append_ConcurrentlyToSeveralChains_EachChainIntact()
    {
        Guid?[] tenants = [Guid.CreateVersion7(), Guid.CreateVersion7(), null];
        var events = Enumerable.Range(0, 150).Select(i => New(tenants[i % 3])).ToList();

        await Parallel.ForEachAsync(
            events, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Token }, async (e, ct) =>
                Assert.True(await Store.AppendAsync(e, ct)));

        var report = await Store.VerifyAsync(AuditChainScope.All, Token);
        Assert.True(report.Intact, string.Join(", ", report.Breaks));
        Assert.Equal(150, report.EventsChecked);
        Assert.Equal(3, report.ChainsChecked);
    }

    [Fact]
    public async Task Append_NoType_Refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Store.AppendAsync(New(null) with { Type = "" }, Token));
        await Assert.ThrowsAsync<ArgumentNullException>(() => Store.AppendAsync(null!, Token));
    }

    [Fact]
    public async Task List_NewestAppendedFirst()
    {
        var events = await AppendAsync(Enumerable.Range(0, 5).Select(i => New(null, at: Epoch.AddMinutes(-i))));

        var listed = await Store.ListAsync(3, Token);

        Assert.Equal(events.AsEnumerable().Reverse().Take(3).Select(e => e.Id), listed.Select(e => e.Id));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(AuditQuery.MaxLimit + 1)]
    public async Task Query_LimitOutOfRange_Refused(int limit) =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.QueryAsync(new AuditQuery(null, Limit: limit), Token));

    [Fact]
    public async Task Query_LargestLimit_Answered()
    {
        await AppendAsync([New(null)]);

        var page = await Store.QueryAsync(new AuditQuery(null, Limit: AuditQuery.MaxLimit), Token);

        Assert.Single(page.Events);
        Assert.Null(page.NextCursor);
    }

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Query_Filter_MatchesExactlyThoseEventsNewestFirstOverEveryPage(string filter)
    {
        var seeded = await SeedAsync();
        var query = Filter(filter, seeded);

        var found = await AllPagesAsync(query with { Limit = 4 });

        var expected = seeded.Events.Where(e => Matches(query, e)).Reverse().Select(e => e.Id).ToList();
        Assert.NotEmpty(expected);
        Assert.True(expected.Count < seeded.Events.Count, "the filter must leave something out");
        Assert.Equal(expected, found.Select(e => e.Id));
    }

    /// <summary>The names of <see cref="Filter"/>'s queries.</summary>
    public static TheoryData<string> Filters { get; } =
        ["tenant", "type", "actor", "subject", "from", "to", "from+to", "tenant+type+actor+subject+from+to"];

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Query_InjectionInEveryFilter_MatchesNothingAndBreaksNothing(string value)
    {
        var seeded = await SeedAsync();

        foreach (var query in new[]
        {
            new AuditQuery(null, Type: value),
            new AuditQuery(null, Actor: value),
            new AuditQuery(null, Subject: value),
            new AuditQuery(seeded.Tenants[0], Type: value, Actor: value, Subject: value),
        })
        {
            Assert.Empty((await Store.QueryAsync(query, Token)).Events);
        }

        Assert.Equal(seeded.Events.Count, (await Store.ListAsync(1000, Token)).Count);
        Assert.True((await Store.VerifyAsync(AuditChainScope.All, Token)).Intact);
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Query_InjectionStoredAsAValue_FoundByThatValueOnly(string value)
    {
        var tenant = Guid.CreateVersion7();
        await AppendAsync([New(tenant), New(tenant)]);
        var odd = New(tenant, type: value, actor: value, subject: value);
        await AppendAsync([odd]);

        var found = await Store.QueryAsync(new AuditQuery(tenant, Type: value, Actor: value, Subject: value), Token);

        Assert.Equal(odd.Id, Assert.Single(found.Events).Id);
        Assert.True((await Store.VerifyAsync(AuditChainScope.Tenant(tenant), Token)).Intact);
    }

    [Theory]
    [InlineData("")]
    [InlineData("nonsense")]
    [InlineData("c1.")]
    [InlineData("c1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("c1.!!!!")]
    public async Task Query_BogusCursor_Refused(string cursor) =>
        await Assert.ThrowsAsync<ArgumentException>(() => Store.QueryAsync(new AuditQuery(null, Cursor: cursor), Token));

    [Fact]
    public async Task Query_AlteredOrForeignCursor_Refused()
    {
        await AppendAsync(Enumerable.Range(0, 3).Select(_ => New(null)));
        var cursor = (await Store.QueryAsync(new AuditQuery(null, Limit: 1), Token)).NextCursor!;
        var stranger = await Backend.StrangerAsync();
        await stranger.AppendAsync(New(null), Token);
        await stranger.AppendAsync(New(null), Token);
        var foreign = (await stranger.QueryAsync(new AuditQuery(null, Limit: 1), Token)).NextCursor!;
        var altered = cursor[..^2] + (cursor[^2] == 'A' ? 'B' : 'A') + cursor[^1];

        await Assert.ThrowsAsync<ArgumentException>(() => Store.QueryAsync(new AuditQuery(null, Cursor: altered), Token));
        await Assert.ThrowsAsync<ArgumentException>(() => Store.QueryAsync(new AuditQuery(null, Cursor: foreign), Token));
        Assert.Equal(2, (await Store.QueryAsync(new AuditQuery(null, Cursor: cursor), Token)).Events.Count);
    }

    [Fact]
    public async Task Query_CursorFromAnotherInstance_Accepted()
    {
        await AppendAsync(Enumerable.Range(0, 3).Select(_ => New(null)));
        var cursor = (await Store.QueryAsync(new AuditQuery(null, Limit: 1), Token)).NextCursor;

        var replica = await Backend.ReplicaAsync();

        Assert.Equal(2, (await replica.QueryAsync(new AuditQuery(null, Cursor: cursor), Token)).Events.Count);
    }

    [Fact]
    public async Task Query_CursorOfOneTenantUsedForAnother_OnlyTheOtherTenantsEvents()
    {
        var seeded = await SeedAsync();
        var cursor = (await Store.QueryAsync(new AuditQuery(seeded.Tenants[0], Limit: 1), Token)).NextCursor;

        var other = await AllPagesAsync(new AuditQuery(seeded.Tenants[1], Cursor: cursor));

        Assert.NotEmpty(other);
        Assert.All(other, e => Assert.Equal(seeded.Tenants[1], e.TenantId));
    }

    [Fact]
    public async Task Query_PagingWhileEventsArrive_NoEventTwiceNoneThatExistedSkipped()
    {
        var tenant = Guid.CreateVersion7();
        var existing = await AppendAsync(Enumerable.Range(0, 120).Select(i => New(i % 2 == 0 ? tenant : null)));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var arrived = 0;
        var writer = Task.Run(
            async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await Store.AppendAsync(New(arrived % 2 == 0 ? tenant : null), Token);
                    arrived++;
                }
            },
            Token);

        var seen = new List<Guid>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Store.QueryAsync(new AuditQuery(null, Limit: 7, Cursor: cursor), Token);
            seen.AddRange(page.Events.Select(e => e.Id));
            cursor = page.NextCursor;
            pages++;
            // Hold paging back until the writer has certainly interleaved with it.
            while (pages == 3 && Volatile.Read(ref arrived) < 20 && !writer.IsCompleted)
            {
                await Task.Yield();
            }
        }
        while (cursor is not null);
        await stop.CancelAsync();
        await writer;

        Assert.True(arrived >= 20, $"only {arrived} events arrived while paging");
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Empty(existing.Select(e => e.Id).Except(seen));
        // The events that existed come newest first.
        Assert.Equal(existing.Select(e => e.Id).Reverse(), seen.Intersect(existing.Select(e => e.Id)));
    }

    [Fact]
    public async Task Ping_Answers() => await Store.PingAsync(Token);

    /// <summary>Appends <paramref name="events"/> one after the other, checking each is new.</summary>
    protected async Task<List<AuditEvent>> AppendAsync(IEnumerable<AuditEvent> events)
    {
        var list = events.ToList();
        foreach (var e in list)
        {
            Assert.True(await Store.AppendAsync(e, Token));
        }

        return list;
    }

    /// <summary>Every page of <paramref name="query"/>, in order.</summary>
    protected async Task<List<AuditEvent>> AllPagesAsync(AuditQuery query)
    {
        var all = new List<AuditEvent>();
        var page = await Store.QueryAsync(query, Token);
        all.AddRange(page.Events);
        while (page.NextCursor is not null)
        {
            Assert.Equal(query.Limit, page.Events.Count);
            page = await Store.QueryAsync(query with { Cursor = page.NextCursor }, Token);
            all.AddRange(page.Events);
        }

        return all;
    }

    private static void AssertSame(AuditEvent expected, AuditEvent actual)
    {
        Assert.Equal(expected with { Details = null! }, actual with { Details = null! });
        Assert.Equal(expected.Details.OrderBy(p => p.Key), actual.Details.OrderBy(p => p.Key));
    }

    private static bool Matches(AuditQuery query, AuditEvent e) =>
        (query.TenantId is null || e.TenantId == query.TenantId)
        && (query.Type is null || e.Type == query.Type)
        && (query.Actor is null || e.Actor == query.Actor)
        && (query.Subject is null || e.Subject == query.Subject)
        && (query.From is null || e.OccurredAt >= query.From)
        && (query.To is null || e.OccurredAt < query.To);

    private static AuditQuery Filter(string name, Seeded seeded)
    {
        var query = new AuditQuery(null);
        foreach (var part in name.Split('+'))
        {
            query = part switch
            {
                "tenant" => query with { TenantId = seeded.Tenants[1] },
                "type" => query with { Type = AuditEventTypes.KeyRevoked },
                "actor" => query with { Actor = "key:a" },
                "subject" => query with { Subject = "module:m" },
                // Bounds between stored microseconds and on them: inclusive from, exclusive to.
                "from" => query with { From = Epoch.AddMinutes(3).AddTicks(-3) },
                "to" => query with { To = Epoch.AddMinutes(9) },
                _ => throw new ArgumentOutOfRangeException(nameof(name), part, null),
            };
        }

        return query;
    }

    /// <summary>
    /// 48 events over three tenants and the tenantless chain, two types, two actors, two subjects and 12 minutes,
    /// appended out of time order as late deliveries would be.
    /// </summary>
    private async Task<Seeded> SeedAsync()
    {
        Guid?[] tenants = [Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), null];
        var events = Enumerable.Range(0, 48).Select(i => New(
            tenants[i % 4],
            type: i % 3 == 0 ? AuditEventTypes.KeyRevoked : AuditEventTypes.KeyCreated,
            actor: i % 5 < 2 ? "key:a" : "key:b",
            subject: i % 7 < 4 ? "module:m" : "user:u",
            at: Epoch.AddMinutes((i * 7) % 12)));
        return new Seeded(await AppendAsync(events), tenants);
    }

    private sealed record Seeded(List<AuditEvent> Events, Guid?[] Tenants);
}
