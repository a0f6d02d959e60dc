"""Exit standards (脱贫标准) as versioned data, and household/village/county assessment."""
