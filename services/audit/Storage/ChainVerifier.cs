using WasmWizard.Shared.Contracts.Events;
using WasmWizard.Shared.Ports;

namespace WasmWizard.Audit.Storage;

/// <summary>What a store keeps about one chain besides its rows.</summary>
/// <param name="Chain">The chain key (<see cref="AuditChain.ChainOf"/>).</param>
/// <param name="HeadPosition">The position of the newest event ever appended (0 when none).</param>
/// <param name="HeadHash">That event's hash.</param>
/// <param name="AnchorPosition">The position of the last event retention removed (0 when none).</param>
/// <param name="AnchorHash">That event's hash, which the first remaining event links to.</param>
public sealed record ChainState(Guid Chain, long HeadPosition, byte[] HeadHash, long AnchorPosition, byte[] AnchorHash);

/// <summary>One stored row as verification reads it.</summary>
/// <param name="Chain">Its chain key.</param>
/// <param name="Position">Its stored position.</param>
/// <param name="PreviousHash">The hash it says it follows.</param>
/// <param name="RowHash">The hash stored for it.</param>
/// <param name="Event">Its content, read back.</param>
public sealed record ChainRow(Guid Chain, long Position, byte[] PreviousHash, byte[] RowHash, AuditEvent Event);

/// <summary>
/// Walks chains row by row, in position order, and notes where each first breaks. The stores only read; this class
/// decides, so both stores judge a chain the same way.
/// </summary>
public sealed class ChainVerifier
{
    private readonly List<ChainBreak> _breaks = [];
    private readonly List<ChainHead> _heads = [];
    private long _eventsChecked;
    private int _chainsChecked;

    private Guid _chain;
    private ChainState? _state;
    private bool _open;
    private bool _broken;
    private long _expectedPosition;
    private byte[] _expectedPrevious = [];

    /// <summary>Starts on <paramref name="chain"/>, with what the store keeps about it (null when nothing).</summary>
    public void Begin(Guid chain, ChainState? state)
    {
        if (_open)
        {
            End();
        }

        _open = true;
        _chain = chain;
        _state = state;
        _broken = false;
        _chainsChecked++;
        _expectedPosition = (state?.AnchorPosition ?? 0) + 1;
        _expectedPrevious = state is { AnchorPosition: > 0 } ? state.AnchorHash : AuditChain.Genesis.ToArray();
    }

    /// <summary>The next row of the current chain.</summary>
    public void Row(ChainRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (!_open || row.Chain != _chain)
        {
            Begin(row.Chain, null);
        }

        _eventsChecked++;
        if (_broken)
        {
            return;
        }

        if (row.Position > _expectedPosition)
        {
            Break(_expectedPosition, null, ChainProblems.Missing);
        }
        else if (row.Position < _expectedPosition
            || !row.PreviousHash.AsSpan().SequenceEqual(_expectedPrevious))
        {
            // Positions below the expected one can only come from a row moved back over the anchor.
            Break(row.Position, row.Event.Id, ChainProblems.LinkBroken);
        }
        else if (!AuditChain.Hash(row.PreviousHash, row.Event).AsSpan().SequenceEqual(row.RowHash))
        {
            Break(row.Position, row.Event.Id, ChainProblems.ContentChanged);
        }

        _expectedPosition = row.Position + 1;
        _expectedPrevious = row.RowHash;
    }

    /// <summary>The report over every chain seen.</summary>
    public ChainReport Report()
    {
        if (_open)
        {
            End();
        }

        return new ChainReport(_breaks.Count == 0, _eventsChecked, _chainsChecked, [.. _breaks]) { Heads = [.. _heads] };
    }

    private void End()
    {
        _open = false;
        if (_state is not null)
        {
            _heads.Add(new ChainHead(
                AuditChain.TenantOf(_chain), _state.HeadPosition, Convert.ToHexStringLower(_state.HeadHash)));
        }

        if (_broken)
        {
            return;
        }

        if (_state is null)
        {
            // Rows without a head: whoever deleted the head may have deleted the newest rows with it.
            if (_expectedPosition > 1)
            {
                Break(_expectedPosition - 1, null, ChainProblems.HeadMissing);
            }

            return;
        }

        // The head outlives its rows: deleting the newest events leaves it pointing past the end, and rows slipped
        // in after it (without moving it) stand beyond it.
        var last = _expectedPosition - 1;
        if (_state.HeadPosition > last)
        {
            Break(_expectedPosition, null, ChainProblems.Missing);
        }
        else if (_state.HeadPosition < last)
        {
            Break(_state.HeadPosition + 1, null, ChainProblems.LinkBroken);
        }
        else if (last > 0 && !_state.HeadHash.AsSpan().SequenceEqual(_expectedPrevious))
        {
            Break(last, null, ChainProblems.LinkBroken);
        }
    }

    private void Break(long position, Guid? eventId, string problem)
    {
        _broken = true;
        _breaks.Add(new ChainBreak(AuditChain.TenantOf(_chain), position, eventId, problem));
    }
}
