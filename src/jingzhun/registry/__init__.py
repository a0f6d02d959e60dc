"""The registry of poor households (建档立卡): households, members, incomes, events, snapshots."""
